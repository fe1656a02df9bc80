"""Admins and privacy: the audit trail, people's data rights (leave, export, forget),
retention, offboarding and dashboard sign-in links."""
