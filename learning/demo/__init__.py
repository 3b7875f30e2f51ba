"""The demo loaders (`seed_demo`): learners with a history, then their ratings and answers,
written through the capabilities' own write paths. The top: nothing imports it but apps.py.
"""
