"""Exchange with other systems: the provincial platform (DCAT), the 1272 Excel template, ckanapi."""
