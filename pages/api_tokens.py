"""API tokens: personal access tokens for the JSON API (/api/v1) and the OData feed (/odata/)
that Power BI and Excel read."""

import streamlit as st

from components.access.session import current_actor
from components.api_tokens import views
from components.common import data

st.title("API tokens")
st.markdown(
    "A token lets a tool read the portfolio as you (with your role, never more): Power BI or "
    "Excel (**Get data › OData feed**, the address below, **Basic** with any user name and the "
    "token as password), a script (`Authorization: Bearer <token>`), or a pipeline that sends "
    "status updates (a read-and-write token)."
)
# The page's own address without the page name: where this process also serves the feed.
here = (st.context.url or "").split("?")[0].rsplit("/", 1)[0] or "https://<this app's address>"
st.code(f"{here}/odata/", language=None)
views.render(current_actor(), data.today())
