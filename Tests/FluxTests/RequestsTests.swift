import Foundation
import JSON
import Testing
@testable import Flux

@Suite struct RequestsTests {
    @Test func patchBodies() {
        #expect(CanonicalJSON.compact(FluxPatches.suspend) == #"{"spec":{"suspend":true}}"#)
        #expect(CanonicalJSON.compact(FluxPatches.resume) == #"{"spec":{"suspend":null}}"#)
        #expect(CanonicalJSON.compact(FluxPatches.requestReconcile(token: "t1"))
            == #"{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"t1"}}}"#)
    }

    @Test func requestedAtTokens() throws {
        let instant = Date(timeIntervalSince1970: 1_742_062_175.364675)
        let pacific = try #require(TimeZone(secondsFromGMT: -7 * 3600))
        #expect(FluxPatches.requestedAtToken(now: instant, timeZone: pacific) == "2025-03-15T11:09:35.364675-07:00")
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(FluxPatches.requestedAtToken(now: Date(timeIntervalSince1970: 1_742_062_175), timeZone: utc) == "2025-03-15T18:09:35Z")
        #expect(FluxPatches.requestedAtToken(now: Date(timeIntervalSince1970: 1_742_062_175.5), timeZone: utc) == "2025-03-15T18:09:35.5Z")
    }

    @Test func updateReplacesLabelsAndSpecOnly() throws {
        let existing: JSONValue = [
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": ["name": "podinfo", "namespace": "flux-system", "resourceVersion": "199", "labels": ["old": "x"],
                         "annotations": ["keep": "me"]],
            "spec": ["interval": "1m", "url": "oci://r/old", "provider": "generic"],
            "status": ["observedGeneration": 1],
        ]
        var options = OCIRepositoryOptions(name: "podinfo", url: "oci://r/new")
        options.tag = "2.0.0"
        let desired = try JSONValue(encoding: options.build())
        let updated = FluxPatches.update(existing: existing, desired: desired)
        #expect(updated[path: "metadata", "resourceVersion"] == "199")
        #expect(updated[path: "metadata", "annotations"] == ["keep": "me"])
        #expect(updated[path: "metadata", "labels"] == nil)
        #expect(updated["spec"] == desired["spec"])
        #expect(updated["status"] == existing["status"])
    }

    @Test func messages() {
        #expect(FluxError.objectNotFound(.kustomization, name: "non-existent-resource", namespace: "ns1").description
            == #"Kustomization object 'non-existent-resource' not found in "ns1" namespace"#)
        #expect(FluxError.noObjectsFound(.ociRepository, namespace: "ns1").description == "no OCIRepository objects found in ns1 namespace")
        #expect(FluxError.reconciliationFailed(.ociRepository, message: "boom").description == "OCIRepository reconciliation failed: 'boom'")
        #expect(FluxKind.ociRepository.path(namespace: "flux-system", name: "podinfo")
            == "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories/podinfo")
        #expect(FluxKind.kustomization.path(version: .v1beta2, namespace: nil) == "/apis/kustomize.toolkit.fluxcd.io/v1beta2/kustomizations")
    }
}
