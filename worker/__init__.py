"""The worker process: scheduled jobs that push reports, reminders and notifications.

Started by `./pmo.sh worker` (and beside the app by `./pmo.sh run`). It never imports Streamlit.
"""
