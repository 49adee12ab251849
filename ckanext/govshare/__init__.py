"""ckanext-govshare: the government data-sharing catalogue (DB14 政务数据共享 部门内部管理规范)."""
