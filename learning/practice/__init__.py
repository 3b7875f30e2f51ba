"""Spaced practice: cards for a module's questions, answers scheduled with FSRS, and predicted
recall (retention). Above the ledger (it handles its module_completed and step_done rows).
"""
