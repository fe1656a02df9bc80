"""Lightning sessions: short talks by the people who know a topic, proposed from repeated questions."""
