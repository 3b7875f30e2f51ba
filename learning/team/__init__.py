"""The manager's team: reports' progress and drift, confirming on-the-job steps, the manager API
and the My team admin views.
"""
