"""Synthetic demo data for the real national zones, calibrated to the published figures.

Everything the demo makes is synthetic and labelled so wherever it appears.
"""
