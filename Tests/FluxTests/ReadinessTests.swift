import Foundation
import JSON
import Testing
@testable import Flux

@Suite struct ReadinessTests {
    static func object(generation: Int64 = 2, observed: Int64? = 2, conditions: [JSONValue], deleting: Bool = false,
                       handled: String? = nil) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": ["name": "podinfo", "namespace": "flux-system", "generation": .integer(generation)],
            "status": ["conditions": .array(conditions), "lastAppliedRevision": "staging@sha256:abc"],
        ]
        if let observed { object.setValue(.integer(observed), at: ["status", "observedGeneration"]) }
        if deleting { object.setValue("2026-11-26T01:30:24Z", at: ["metadata", "deletionTimestamp"]) }
        if let handled { object.setValue(.string(handled), at: ["status", "lastHandledReconcileAt"]) }
        return object
    }

    static func condition(_ type: String, _ status: String, reason: String = "", message: String = "") -> JSONValue {
        ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message)]
    }

    @Test func cases() {
        let ready = Self.condition("Ready", "True", reason: "ReconciliationSucceeded", message: "Applied revision: staging@sha256:abc")
        #expect(FluxStatus.readiness(Self.object(conditions: [ready])) == .ready("Applied revision: staging@sha256:abc"))
        #expect(FluxStatus.readiness(Self.object(conditions: [ready], deleting: true)) == .failed("Kustomization podinfo is being deleted"))
        #expect(FluxStatus.readiness(Self.object(observed: 1, conditions: [ready]))
            == .inProgress("waiting for the controller to observe generation 2"))
        #expect(FluxStatus.readiness(Self.object(observed: -1, conditions: [])).isTerminal == false)
        #expect(FluxStatus.readiness(Self.object(observed: nil, conditions: [])) == .inProgress("waiting to be reconciled"))
        let stalled = Self.condition("Stalled", "True", reason: "BuildFailed", message: "kustomization path not found")
        #expect(FluxStatus.readiness(Self.object(conditions: [stalled, Self.condition("Ready", "False", message: "x")]))
            == .failed("kustomization path not found"))
        // Ready=False while not reconciling: the controller gave up for now.
        let failedReady = Self.condition("Ready", "False", reason: "HealthCheckFailed", message: "timeout waiting for: [Deployment/apps/podinfo]")
        #expect(FluxStatus.readiness(Self.object(conditions: [failedReady]))
            == .failed("timeout waiting for: [Deployment/apps/podinfo]"))
        // Ready=False while progressing: still in progress …
        let progressing = Self.condition("Reconciling", "True", reason: "Progressing", message: "Running health checks")
        let progressingReady = Self.condition("Ready", "False", reason: "Progressing", message: "Running health checks")
        #expect(FluxStatus.readiness(Self.object(conditions: [progressing, progressingReady])) == .inProgress("Running health checks"))
        // … unless it is only retrying.
        let retrying = Self.condition("Reconciling", "True", reason: "ProgressingWithRetry", message: "retrying")
        #expect(FluxStatus.readiness(Self.object(conditions: [retrying, failedReady]))
            == .failed("timeout waiting for: [Deployment/apps/podinfo]"))
        let unknown = Self.condition("Ready", "Unknown", reason: "Progressing", message: "Reconciliation in progress")
        #expect(FluxStatus.readiness(Self.object(conditions: [progressing, unknown])) == .inProgress("Reconciliation in progress"))
        // A Ready condition written for an older generation does not count.
        var stale = ready
        stale["observedGeneration"] = 1
        #expect(FluxStatus.readiness(Self.object(observed: nil, conditions: [stale])).isTerminal == false)
    }

    @Test func afterReconcileRequest() {
        let token = "2026-11-26T01:31:00.123456789Z"
        let ready = Self.condition("Ready", "True", message: "ok")
        #expect(FluxStatus.readiness(Self.object(conditions: [ready], handled: "older"), afterRequest: token)
            == .inProgress("waiting for the controller to handle the reconcile request"))
        #expect(FluxStatus.readiness(Self.object(conditions: [ready], handled: token), afterRequest: token) == .ready("ok"))
        #expect(FluxStatus.lastHandledReconcileAt(Self.object(conditions: [], handled: token)) == token)
    }

    @Test func revisionsAndLines() {
        let oci = TableTests.ociRepository()
        let revision = "6.3.5@sha256:\(TableTests.ociDigest)"
        #expect(FluxStatus.artifactRevision(oci) == revision)
        #expect(FluxStatus.revision(oci) == revision)
        #expect(FluxStatus.revision(TableTests.kustomization()) == "6.3.5@sha1:\(TableTests.gitCommit)")
        #expect(FluxStatusLine.revision(revision, kind: .ociRepository, afterCreate: true) == "✔ fetched revision: \(revision)")
        #expect(FluxStatusLine.revision(revision, kind: .ociRepository) == "✔ fetched revision \(revision)")
        #expect(FluxStatusLine.revision("6.3.5@sha1:x", kind: .kustomization) == "✔ applied revision 6.3.5@sha1:x")
    }

    @Test func statusLinesMatchGoldens() throws {
        let create = try Fixtures.text("flux-goldens/oci/create_source_oci.golden")
        let revision = "6.3.5@sha256:\(TableTests.ociDigest)"
        #expect(create.hasSuffix(FluxStatusLine.revision(revision, kind: .ociRepository, afterCreate: true) + "\n"))
        let reconcile = try Fixtures.text("flux-goldens/oci/reconcile_oci.golden").replacingOccurrences(of: "{{ .ns }}", with: "ns1")
        #expect(reconcile == [FluxStatusLine.annotating(.ociRepository, name: "thrfg", namespace: "ns1"),
                              FluxStatusLine.success("OCIRepository annotated"),
                              FluxStatusLine.waiting("waiting for OCIRepository reconciliation"),
                              FluxStatusLine.revision(revision, kind: .ociRepository)].joined(separator: "\n") + "\n")
        let suspend = try Fixtures.text("flux-goldens/oci/suspend_oci.golden").replacingOccurrences(of: "{{ .ns }}", with: "ns1")
        #expect(suspend == FluxStatusLine.suspending(.ociRepository, name: "thrfg", namespace: "ns1") + "\n"
            + FluxStatusLine.success("\(FluxKind.ociRepository.commandNoun) suspended") + "\n")
        let resume = try Fixtures.text("flux-goldens/kustomization/resume_kustomization_from_git_multiple_args.golden")
            .replacingOccurrences(of: "{{ .ns }}", with: "ns1")
        #expect(resume == FluxStatusLine.resuming(.kustomization, name: "tkfg", namespace: "ns1") + "\n✔ kustomization resumed\n")
        let delete = try Fixtures.text("flux-goldens/oci/delete_oci.golden").replacingOccurrences(of: "{{ .ns }}", with: "ns1")
        #expect(delete.hasPrefix(FluxStatusLine.deleting(.ociRepository, name: "thrfg", namespace: "ns1") + "\n"))
    }
}
