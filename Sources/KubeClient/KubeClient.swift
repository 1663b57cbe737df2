// Module KubeClient: see STYLE.md for what belongs here.
