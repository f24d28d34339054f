"""The moderator's cockpit: the moderation queue inside the admin (issue 15)."""
