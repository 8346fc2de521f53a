using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class X509Tests
{
    // An EC certificate with the URI SAN spiffe://example.com/opa, as base64 of its PEM (from OPA's test cases).
    private const string SpiffeCert = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIxekNDQVh5Z0F3SUJBZ0lJZGxpT1dVY1NXM3N3Q2dZSUtvWkl6ajBFQXdJd1BURUxNQWtHQTFVRUJoTUMKUjBJeEVEQU9CZ05WQkFvVEIwVjRZVzF3YkdVeEhEQWFCZ05WQkFVVEV6RTFPREV4TnpnNU56UTJPRFkxTmpneQpOalF3SUJjTk1qTXhNVEl3TVRZMU5USTRXaGdQTWpFeU1qRXdNamN4TmpVMU1qaGFNRDB4Q3pBSkJnTlZCQVlUCkFrZENNUkF3RGdZRFZRUUtFd2RGZUdGdGNHeGxNUnd3R2dZRFZRUUZFeE00TlRJM056SXlOREE0TlRJeE5qVXoKTVRFMU1Ga3dFd1lIS29aSXpqMENBUVlJS29aSXpqMERBUWNEUWdBRXp0UDNrQnNpQXY4UUF5eWxUalJZSFlWegpjWTB5YmpBdC9VbWpZb3Fxb0o4SEtIdXF1ckRaUmVwa05qUXdwV3pmZndZZ0xaNk42SisyVUlPdlZ0TDZEcU5rCk1HSXdEZ1lEVlIwUEFRSC9CQVFEQWdlQU1CMEdBMVVkSlFRV01CUUdDQ3NHQVFVRkJ3TUNCZ2dyQmdFRkJRY0QKQVRBTUJnTlZIUk1CQWY4RUFqQUFNQ01HQTFVZEVRUWNNQnFHR0hOd2FXWm1aVG92TDJWNFlXMXdiR1V1WTI5dApMMjl3WVRBS0JnZ3Foa2pPUFFRREFnTkpBREJHQWlFQXlRNDhPd25lTHkzMjZqYitEUjd5RjJhcS94Wnl1cW9qCitUU3ZLVVB5NEU0Q0lRQ0VMUlp3K0dWTjhJR0drVGV4MGxxTDNxY21mWldJbm15VitrbnQ0d3p3L3c9PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static (X509Certificate2 Root, X509Certificate2 Leaf, ECDsa LeafKey) Chain()
    {
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test Root, O=Parma, C=GB", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var root = rootRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=svc.example.com", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("svc.example.com");
        names.AddIpAddress(System.Net.IPAddress.Parse("10.1.2.3"));
        names.AddUri(new Uri("spiffe://example.com/svc"));
        names.AddEmailAddress("ops@example.com");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.2.3.4")], false));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var leaf = leafRequest.Create(root, Now.AddDays(-1), Now.AddDays(10), [1, 2, 3, 4]);
        return (root, leaf, leafKey);
    }

    [Fact]
    public void Parse_certificates_reads_pem_base64_pem_and_base64_der()
    {
        var cert = (ArrayValue)Eval($"crypto.x509.parse_certificates({Value.Quote(SpiffeCert)})")!;
        cert.Elements[0]["URIStrings"].Should().Be(Value.FromJson("""["spiffe://example.com/opa"]"""));
        cert.Elements[0]["Subject"]!["Organization"].Should().Be(Value.FromJson("""["Example"]"""));
        cert.Elements[0]["PublicKeyAlgorithm"].Should().Be(Value.Number(3));
        cert.Elements[0]["SignatureAlgorithm"].Should().Be(Value.Number(10));
        cert.Elements[0]["URIs"]!.Should().Be(Value.FromJson("""[{"Scheme": "spiffe", "Opaque": "", "User": null, "Host": "example.com", "Path": "/opa", "RawPath": "", "OmitHost": false, "ForceQuery": false, "RawQuery": "", "Fragment": "", "RawFragment": ""}]"""));

        var (root, leaf, _) = Chain();
        var pem = root.ExportCertificatePem() + "\n" + leaf.ExportCertificatePem();
        var der = Convert.ToBase64String([.. root.RawData, .. leaf.RawData]);
        foreach (var text in new[] { pem, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pem)), der })
        {
            var both = (ArrayValue)Eval($"crypto.x509.parse_certificates({Value.Quote(text)})")!;
            both.Count.Should().Be(2);
            var parsedLeaf = both.Elements[1];
            parsedLeaf["Subject"]!["CommonName"].Should().Be(Value.String("svc.example.com"));
            parsedLeaf["Issuer"]!["CommonName"].Should().Be(Value.String("Test Root"));
            parsedLeaf["Issuer"]!["Country"].Should().Be(Value.FromJson("""["GB"]"""));
            parsedLeaf["DNSNames"].Should().Be(Value.FromJson("""["svc.example.com"]"""));
            parsedLeaf["IPAddresses"].Should().Be(Value.FromJson("""["10.1.2.3"]"""));
            parsedLeaf["EmailAddresses"].Should().Be(Value.FromJson("""["ops@example.com"]"""));
            parsedLeaf["ExtKeyUsage"].Should().Be(Value.FromJson("[1]"));
            parsedLeaf["UnknownExtKeyUsage"].Should().Be(Value.FromJson("[[1, 2, 3, 4]]"));
            parsedLeaf["KeyUsage"].Should().Be(Value.Number(1));
            parsedLeaf["SerialNumber"].Should().Be(Value.Number(0x01020304));
            parsedLeaf["IsCA"].Should().Be(Value.False);
            both.Elements[0]["IsCA"].Should().Be(Value.True);
            both.Elements[0]["MaxPathLen"].Should().Be(Value.Number(1));
            both.Elements[0]["KeyUsage"].Should().Be(Value.Number(32 + 64));
            parsedLeaf["NotAfter"].Should().Be(Value.String(leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
            parsedLeaf["Raw"].Should().Be(Value.String(Convert.ToBase64String(leaf.RawData)));
        }
    }

    [Fact]
    public void Parse_and_verify_checks_the_chain_from_root_to_leaf()
    {
        var (root, leaf, _) = Chain();
        var good = Eval($"crypto.x509.parse_and_verify_certificates({Value.Quote(root.ExportCertificatePem() + leaf.ExportCertificatePem())})")!;
        good.Should().BeOfType<ArrayValue>();
        ((ArrayValue)good).Elements[0].Should().Be(Value.True);
        ((ArrayValue)((ArrayValue)good).Elements[1]).Count.Should().Be(2);

        var (otherRoot, _, _) = Chain();
        Is($"crypto.x509.parse_and_verify_certificates({Value.Quote(otherRoot.ExportCertificatePem() + leaf.ExportCertificatePem())})", "[false, []]");
        Is($"crypto.x509.parse_and_verify_certificates({Value.Quote(leaf.ExportCertificatePem())})", "[false, []]");

        var chain = Value.Quote(root.ExportCertificatePem() + leaf.ExportCertificatePem());
        Is($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"DNSName\": \"svc.example.com\"}})[0]", "true");
        Is($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"DNSName\": \"other.example.com\"}})[0]", "false");
        var future = (Now.AddDays(20).ToUnixTimeMilliseconds() * 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Is($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"CurrentTime\": {future}}})[0]", "false");
        Is($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"KeyUsages\": [\"KeyUsageClientAuth\"]}})[0]", "false");
        Is($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"KeyUsages\": [\"KeyUsageAny\"]}})[0]", "true");
        Fails($"crypto.x509.parse_and_verify_certificates_with_options({chain}, {{\"Colour\": 1}})");
    }

    [Fact]
    public void Parse_certificate_request_reads_subject_and_names()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=csr.example.com, O=Parma", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("csr.example.com");
        request.CertificateExtensions.Add(names.Build());
        var csr = Eval($"crypto.x509.parse_certificate_request({Value.Quote(request.CreateSigningRequestPem())})")!;
        csr["Subject"]!["CommonName"].Should().Be(Value.String("csr.example.com"));
        csr["Subject"]!["Organization"].Should().Be(Value.FromJson("""["Parma"]"""));
        csr["DNSNames"].Should().Be(Value.FromJson("""["csr.example.com"]"""));
        csr["PublicKeyAlgorithm"].Should().Be(Value.Number(3));
        Fails("crypto.x509.parse_certificate_request(\"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n-----END CERTIFICATE REQUEST-----\")");
    }

    [Fact]
    public void Parse_rsa_private_key_gives_a_jwk()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(true);
        static string U(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var pem in new[] { rsa.ExportRSAPrivateKeyPem(), rsa.ExportPkcs8PrivateKeyPem() })
        {
            var jwk = Eval($"crypto.x509.parse_rsa_private_key({Value.Quote(pem)})")!;
            jwk["kty"].Should().Be(Value.String("RSA"));
            jwk["n"].Should().Be(Value.String(U(p.Modulus!)));
            jwk["d"].Should().Be(Value.String(U(p.D!)));
            jwk["qi"].Should().Be(Value.String(U(p.InverseQ!)));
        }

        Fails("crypto.x509.parse_rsa_private_key(\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\")").Message.Should().Contain("failed to parse PEM block");
    }

    [Theory]
    [InlineData("crypto.x509.parse_certificates(\"not base64!\")", "illegal base64 data")]
    [InlineData("crypto.x509.parse_certificates(\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\")", "x509: malformed certificate")]
    public void Bad_certificates_are_errors(string expression, string message)
    {
        Fails(expression).Message.Should().Contain(message);
    }
}
