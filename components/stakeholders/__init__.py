"""Pages' pieces of the push side: inbox and badge, subscriptions, notification choices, the
stakeholder register, read-only links and the delivery log."""
