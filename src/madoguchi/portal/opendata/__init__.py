"""Open data (自治体標準オープンデータセット): which datasets the city publishes, in which
column layout (`registry`), and how their rows are made, exported and imported (`services`)."""
