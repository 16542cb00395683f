"""Keeping stakeholders informed: subscriptions, deliveries (e-mail and inbox), reminders,
notifications, the stakeholder register and read-only links."""
