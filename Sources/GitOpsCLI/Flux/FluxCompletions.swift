import Flux

// Positional names of the Flux object commands complete to the live objects of their kind.

extension GetSourcesOCICommand: CompletesFluxNames { static var completedKind: FluxKind { .ociRepository } }
extension GetKustomizationsCommand: CompletesFluxNames { static var completedKind: FluxKind { .kustomization } }
extension ExportSourceOCICommand: CompletesFluxNames { static var completedKind: FluxKind { .ociRepository } }
extension ExportKustomizationCommand: CompletesFluxNames { static var completedKind: FluxKind { .kustomization } }
extension SuspendSourceOCICommand: CompletesFluxNames { static var completedKind: FluxKind { .ociRepository } }
extension SuspendKustomizationCommand: CompletesFluxNames { static var completedKind: FluxKind { .kustomization } }
extension ResumeSourceOCICommand: CompletesFluxNames { static var completedKind: FluxKind { .ociRepository } }
extension ResumeKustomizationCommand: CompletesFluxNames { static var completedKind: FluxKind { .kustomization } }
extension DeleteSourceOCICommand: CompletesFluxNames { static var completedKind: FluxKind { .ociRepository } }
extension DeleteKustomizationCommand: CompletesFluxNames { static var completedKind: FluxKind { .kustomization } }

extension CreateKustomizationCommand: CompletesOptionValues {
    static var completedOptionValues: [String: DynamicValues] { ["depends-on": .fluxNames(.kustomization, prefix: "")] }
}
