"""The lead pipeline (招商项目管理): the team's leads, their history and their landing."""
