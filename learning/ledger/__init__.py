"""The ledger: the app's events batch (one row per thing a learner did, xAPI-shaped), the
70:20:10 mix, and how stored ledger times are read. The lowest capability: it imports no other.
"""
