"""Journeys: enrolment in change events, step states (open, drifting), the today feed and
progress. Above practice (the feed shows due cards) and the ledger (progress shows the mix).
"""
