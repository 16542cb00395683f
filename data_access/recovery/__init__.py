"""Path to green: recovery plans carried by Red and Amber status updates, and escalations."""
