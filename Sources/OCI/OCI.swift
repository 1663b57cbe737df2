// Module OCI: see STYLE.md for what belongs here.
