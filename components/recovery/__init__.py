"""Path to green: the status form's recovery section, the recovery view, escalations."""
