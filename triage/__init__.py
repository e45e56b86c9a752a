"""Triage for Children's Rights Officers (CROs): requests the assistant takes from young people,
the queue CROs work through, their accounts and sessions, and retention.

All SQL lives in `triage.store`, so another database can replace SQLite there alone.
"""
