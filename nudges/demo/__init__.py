"""The nudges' demo loader (`seed_demo`): the demo people's phones and nudge history, written
through the planner's write path. The top: nothing imports it but apps.py (and tests).
"""
