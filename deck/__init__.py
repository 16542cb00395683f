"""The review deck: the meeting slides gathered from the database, and exported as .pptx and PDF."""
