"""The portfolio's data for other tools: a JSON read/write API (/api/v1) and an OData v4 feed
(/odata) for Power BI and Excel, served by the same process as the pages (see server.py).

Nothing here imports Streamlit or the page code: only domain/ and data_access/."""
