"""The portal around the catalogue: what gathers the features for one user (the workbench)."""
