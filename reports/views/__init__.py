"""Views of the reports app, split by idea: entry grid, review and board, Excel."""
