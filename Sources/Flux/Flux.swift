// Module Flux: see STYLE.md for what belongs here.
