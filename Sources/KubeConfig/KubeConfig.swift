// Module KubeConfig: see STYLE.md for what belongs here.
