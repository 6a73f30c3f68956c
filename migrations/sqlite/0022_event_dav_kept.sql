-- What a CalDAV client sent on an event that UMBRA has no field for, kept and written back
-- (issue 12): an override's unknown properties (as events.dav_extra), and the client's VALARM
-- components of an event and of each override (unfolded content lines; NULL: UMBRA writes
-- the alarms from events.alerts). dav_alarm_alerts is events.alerts (JSON minutes) as the PUT
-- that kept them mapped them: the kept alarms are written back only while alerts still equal
-- it, so an alert changed in the app or the API shows in every client.
ALTER TABLE event_overrides ADD COLUMN dav_extra TEXT NOT NULL DEFAULT '';
ALTER TABLE event_overrides ADD COLUMN dav_alarms TEXT;
ALTER TABLE events ADD COLUMN dav_alarms TEXT;
ALTER TABLE events ADD COLUMN dav_alarm_alerts TEXT;
