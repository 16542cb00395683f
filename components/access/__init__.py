"""Who is using the app: the signed-in person as plain values, their role's pages, and the sign-in
page.
"""
