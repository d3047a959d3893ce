"""Helpers shared by the test suite: building a portal, serving it, driving Chromium."""
