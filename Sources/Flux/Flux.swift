// Module Flux: the pure layer under the Flux commands (no I/O, no KubeClient yet).
//
//   flags ──► OCIRepositoryOptions / KustomizationOptions / BootstrapOptions .build()  (validation, FluxError)
//         ──► OCIRepository / Kustomization (Codable) ──► JSONValue(encoding:) ──► request bodies (CanonicalJSON)
//   API   ──► JSONValue(parsing:) ──► FluxStatus (readiness, revisions) / FluxTable / FluxListOutput / FluxExport
//
// Text is rendered the way kubectl and flux render it: FluxYAML (go-yaml v2 via sigs.k8s.io/yaml), CanonicalJSON
// (encoding/json), FluxTable (tablewriter as flux configures it), GoDuration (time.Duration.String()).
