// Module TestSupport: see STYLE.md for what belongs here.
