"""People: the HR import (which enrols through journeys), manager loops, the Managers group,
and the learner's profile (GET /me).
"""
