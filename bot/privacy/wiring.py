"""Which handler runs each of the privacy feature's commands (one entry in `bot.handlers`)."""

from __future__ import annotations

from bot.commands import Command
from bot.events import Event
from bot.messagebus import EventHandler, Handler
from bot.privacy import commands as pc
from bot.privacy.audit import audit_roster_import, show_audit
from bot.privacy.manage import manage_mentor
from bot.privacy.mentor_group import sync_mentor_group
from bot.privacy.retention import apply_retention
from bot.privacy.rights import (
    export_my_data,
    export_person,
    forget_person,
    leave_programme,
    person_back,
    person_left,
)
from bot.privacy.signin import open_dashboard

__all__ = ["PRIVACY_COMMANDS", "PRIVACY_REACTIONS"]

PRIVACY_COMMANDS: dict[type[Command], Handler] = {
    pc.LeaveProgramme: leave_programme,
    pc.PersonLeft: person_left,
    pc.PersonBack: person_back,
    pc.ExportPerson: export_person,
    pc.ExportMyData: export_my_data,
    pc.ForgetPerson: forget_person,
    pc.ShowAudit: show_audit,
    pc.OpenDashboard: open_dashboard,
    pc.ApplyRetention: apply_retention,
    pc.ManageMentor: manage_mentor,
    pc.AuditRosterImport: audit_roster_import,
    pc.SyncMentorGroup: sync_mentor_group,
}

PRIVACY_REACTIONS: dict[type[Event], list[EventHandler]] = {}
