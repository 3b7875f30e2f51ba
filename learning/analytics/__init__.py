"""The authors' module analytics: the figures per module, the admin report and the moments of
pain on the authors' home.
"""
