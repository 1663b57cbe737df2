import Testing
@testable import OCI

@Test func OCIModuleLinks() {
    #expect(Bool(true))
}
