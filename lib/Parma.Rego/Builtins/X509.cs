using System.Formats.Asn1;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parma.Rego.Builtins;

/// <summary>
/// crypto.x509.*: certificates, certificate requests and RSA private keys. Certificates are objects with the field
/// names and encodings of Go's x509.Certificate as OPA returns them (byte strings base64, times RFC 3339, enums as
/// Go's numbers), plus OPA's URIStrings.
/// </summary>
internal static class X509
{
    public static void Register(Registrar add)
    {
        add("crypto.x509.parse_certificates", 1, a =>
            Value.Array(Certificates("crypto.x509.parse_certificates", Args.Str("crypto.x509.parse_certificates", a, 0)).Select(Describe)));
        add("crypto.x509.parse_and_verify_certificates", 1, a =>
            Verify("crypto.x509.parse_and_verify_certificates", Args.Str("crypto.x509.parse_and_verify_certificates", a, 0), null));
        add("crypto.x509.parse_and_verify_certificates_with_options", 2, a =>
            Verify("crypto.x509.parse_and_verify_certificates_with_options", Args.Str("crypto.x509.parse_and_verify_certificates_with_options", a, 0), Args.Obj("crypto.x509.parse_and_verify_certificates_with_options", a, 1)));
        add("crypto.x509.parse_certificate_request", 1, a => CertificateRequest(Args.Str("crypto.x509.parse_certificate_request", a, 0)));
        add("crypto.x509.parse_rsa_private_key", 1, a => RsaPrivateKey(Args.Str("crypto.x509.parse_rsa_private_key", a, 0)));
    }

    /// <summary>PEM, base64 of PEM, or base64 of (concatenated) DER.</summary>
    private static byte[][] Blocks(string name, string text, string label)
    {
        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return VerificationKeys.Pem(name, text).Where(b => b.Label == label).Select(b => b.Der).ToArray();
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Args.Error(name, "illegal base64 data");
        }

        if (decoded.AsSpan().StartsWith("-----BEGIN"u8))
        {
            return VerificationKeys.Pem(name, System.Text.Encoding.UTF8.GetString(decoded)).Where(b => b.Label == label).Select(b => b.Der).ToArray();
        }

        var blocks = new List<byte[]>();
        var rest = decoded.AsMemory();
        while (!rest.IsEmpty)
        {
            try
            {
                AsnDecoder.ReadEncodedValue(rest.Span, AsnEncodingRules.DER, out _, out _, out var consumed);
                blocks.Add(rest[..consumed].ToArray());
                rest = rest[consumed..];
            }
            catch (AsnContentException e)
            {
                throw Args.Error(name, $"x509: malformed certificate: {e.Message}");
            }
        }

        return blocks.ToArray();
    }

    private static List<X509Certificate2> Certificates(string name, string text)
    {
        var certs = new List<X509Certificate2>();
        foreach (var der in Blocks(name, text, "CERTIFICATE"))
        {
            try
            {
                certs.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (CryptographicException e)
            {
                throw Args.Error(name, $"x509: malformed certificate: {e.Message}");
            }
        }

        return certs;
    }

    /// <summary>
    /// [valid, certificates]: the first certificate is the trusted root, the last the leaf, the others intermediates,
    /// checked at the current time (or options.CurrentTime in ns) as Go's x509.Verify does; key usages default to server auth.
    /// </summary>
    private static Value Verify(string name, string text, ObjectValue? options)
    {
        var certs = Certificates(name, text);
        if (certs.Count < 2)
        {
            return Value.Array(Value.False, Value.EmptyArray);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(certs[0]);
        foreach (var intermediate in certs.Skip(1).SkipLast(1))
        {
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        }

        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") };
        string? dnsName = null;
        foreach (var (key, value) in options?.Pairs.Select(p => (p.Key, p.Value)) ?? [])
        {
            switch (key is StringValue ks ? ks.Text : null)
            {
                case "DNSName":
                    dnsName = value is StringValue d ? d.Text : throw Args.Error(name, "DNSName must be a string");
                    break;
                case "CurrentTime":
                    var ns = value is NumberValue n && n.TryGetLong(out var l) ? l : throw Args.Error(name, "CurrentTime must be an integer number of nanoseconds");
                    chain.ChainPolicy.VerificationTime = DateTime.UnixEpoch.AddTicks(ns / 100);
                    chain.ChainPolicy.VerificationTimeIgnored = false;
                    break;
                case "MaxConstraintComparisons":
                    break;
                case "KeyUsages":
                    usages = [];
                    foreach (var usage in value is ArrayValue arr ? arr.Items : throw Args.Error(name, "KeyUsages must be an array"))
                    {
                        var text2 = usage is StringValue us ? us.Text : string.Empty;
                        if (text2 == "KeyUsageAny")
                        {
                            usages = null;
                            break;
                        }

                        usages.Add(new Oid(ExtKeyUsages.FirstOrDefault(e => "KeyUsage" + e.Name == text2).Oid ?? throw Args.Error(name, $"invalid entry for KeyUsages: {text2}")));
                    }

                    break;
                default:
                    throw Args.Error(name, $"invalid option key {key.ToJson()}");
            }
        }

        if (usages is not null)
        {
            foreach (var oid in usages)
            {
                chain.ChainPolicy.ApplicationPolicy.Add(oid);
            }
        }

        var valid = chain.Build(certs[^1]) && (dnsName is null || certs[^1].MatchesHostname(dnsName));
        return valid
            ? Value.Array(Value.True, Value.Array(chain.ChainElements.Select(e => Describe(e.Certificate)).Reverse()))
            : Value.Array(Value.False, Value.EmptyArray);
    }

    private static readonly (string Oid, int Number, string Name)[] SignatureAlgorithms =
    [
        ("1.2.840.113549.1.1.2", 1, "MD2WithRSA"), ("1.2.840.113549.1.1.4", 2, "MD5WithRSA"), ("1.2.840.113549.1.1.5", 3, "SHA1WithRSA"),
        ("1.2.840.113549.1.1.11", 4, "SHA256WithRSA"), ("1.2.840.113549.1.1.12", 5, "SHA384WithRSA"), ("1.2.840.113549.1.1.13", 6, "SHA512WithRSA"),
        ("1.2.840.10040.4.3", 7, "DSAWithSHA1"), ("2.16.840.1.101.3.4.3.2", 8, "DSAWithSHA256"), ("1.2.840.10045.4.1", 9, "ECDSAWithSHA1"),
        ("1.2.840.10045.4.3.2", 10, "ECDSAWithSHA256"), ("1.2.840.10045.4.3.3", 11, "ECDSAWithSHA384"), ("1.2.840.10045.4.3.4", 12, "ECDSAWithSHA512"),
        ("1.2.840.113549.1.1.10", 13, "SHA256WithRSAPSS"), ("1.3.101.112", 16, "PureEd25519"),
    ];

    private static readonly (string Oid, int Number, string Name)[] ExtKeyUsages =
    [
        ("2.5.29.37.0", 0, "Any"), ("1.3.6.1.5.5.7.3.1", 1, "ServerAuth"), ("1.3.6.1.5.5.7.3.2", 2, "ClientAuth"), ("1.3.6.1.5.5.7.3.3", 3, "CodeSigning"),
        ("1.3.6.1.5.5.7.3.4", 4, "EmailProtection"), ("1.3.6.1.5.5.7.3.5", 5, "IPSECEndSystem"), ("1.3.6.1.5.5.7.3.6", 6, "IPSECTunnel"),
        ("1.3.6.1.5.5.7.3.7", 7, "IPSECUser"), ("1.3.6.1.5.5.7.3.8", 8, "TimeStamping"), ("1.3.6.1.5.5.7.3.9", 9, "OCSPSigning"),
        ("1.3.6.1.4.1.311.10.3.3", 10, "MicrosoftServerGatedCrypto"), ("2.16.840.1.113730.4.1", 11, "NetscapeServerGatedCrypto"),
        ("1.3.6.1.4.1.311.2.1.22", 12, "MicrosoftCommercialCodeSigning"), ("1.3.6.1.4.1.311.61.1.1", 13, "MicrosoftKernelCodeSigning"),
    ];

    private static Value B64(ReadOnlySpan<byte> bytes) => Value.String(Convert.ToBase64String(bytes));

    private static Value Strings(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? Value.Null : Value.Array(list.Select(Value.String));
    }

    private static Value OidValue(string oid) => Value.Array(oid.Split('.').Select(p => Value.Number(BigInteger.Parse(p, System.Globalization.CultureInfo.InvariantCulture))));

    private static Value Describe(X509Certificate2 cert)
    {
        var raw = cert.RawData;
        var outer = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
        var tbsRaw = outer.PeekEncodedValue().ToArray();
        var tbs = outer.ReadSequence();
        var sigAlg = new AsnReader(outer.ReadEncodedValue(), AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
        var signature = outer.ReadBitString(out _);
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            tbs.ReadEncodedValue();
        }

        tbs.ReadEncodedValue(); // serial
        tbs.ReadEncodedValue(); // signature algorithm
        var rawIssuer = tbs.ReadEncodedValue().ToArray();
        tbs.ReadEncodedValue(); // validity
        var rawSubject = tbs.ReadEncodedValue().ToArray();
        var spki = tbs.ReadEncodedValue().ToArray();

        var ext = cert.Extensions;
        var san = ext.OfType<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        var (dns, emails, ips, uris) = san is null ? ([], [], [], []) : GeneralNames(san.RawData);
        var basic = ext.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var keyUsage = ext.OfType<X509KeyUsageExtension>().FirstOrDefault();
        var eku = ext.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var ski = ext.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        var aki = ext.OfType<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.35");
        var (ocsp, issuers) = AuthorityInfoAccess(ext.OfType<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "1.3.6.1.5.5.7.1.1"));
        var ekuKnown = new List<Value>();
        var ekuUnknown = new List<Value>();
        foreach (var oid in eku?.EnhancedKeyUsages.Cast<Oid>() ?? [])
        {
            var match = ExtKeyUsages.FirstOrDefault(e => e.Oid == oid.Value);
            if (match.Oid is null)
            {
                ekuUnknown.Add(OidValue(oid.Value!));
            }
            else
            {
                ekuKnown.Add(Value.Number(match.Number));
            }
        }

        var fields = new List<KeyValuePair<string, Value>>
        {
            new("Raw", B64(raw)),
            new("RawTBSCertificate", B64(tbsRaw)),
            new("RawSubjectPublicKeyInfo", B64(spki)),
            new("RawSubject", B64(rawSubject)),
            new("RawIssuer", B64(rawIssuer)),
            new("Signature", B64(signature)),
            new("SignatureAlgorithm", Value.Number(SignatureAlgorithms.FirstOrDefault(s => s.Oid == sigAlg).Number)),
            new("PublicKeyAlgorithm", Value.Number(PublicKeyAlgorithm(cert.PublicKey.Oid.Value))),
            new("PublicKey", PublicKey(cert)),
            new("Version", Value.Number(cert.Version)),
            new("SerialNumber", Value.Number(new BigInteger(cert.GetSerialNumber(), isUnsigned: true, isBigEndian: false))),
            new("Issuer", Name(rawIssuer)),
            new("Subject", Name(rawSubject)),
            new("NotBefore", Value.String(cert.NotBefore.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))),
            new("NotAfter", Value.String(cert.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))),
            new("KeyUsage", Value.Number(keyUsage is null ? 0 : GoKeyUsage(keyUsage.KeyUsages))),
            new("Extensions", Value.Array(ext.OfType<X509Extension>().Select(e => Value.Object(new KeyValuePair<string, Value>[]
            {
                new("Id", OidValue(e.Oid!.Value!)), new("Critical", Value.Bool(e.Critical)), new("Value", B64(e.RawData)),
            })))),
            new("ExtraExtensions", Value.Null),
            new("UnhandledCriticalExtensions", Value.Null),
            new("ExtKeyUsage", ekuKnown.Count == 0 ? Value.Null : Value.Array(ekuKnown)),
            new("UnknownExtKeyUsage", ekuUnknown.Count == 0 ? Value.Null : Value.Array(ekuUnknown)),
            new("BasicConstraintsValid", Value.Bool(basic is not null)),
            new("IsCA", Value.Bool(basic?.CertificateAuthority ?? false)),
            new("MaxPathLen", Value.Number(basic is null ? 0 : basic.HasPathLengthConstraint ? basic.PathLengthConstraint : -1)),
            new("MaxPathLenZero", Value.Bool(basic is { HasPathLengthConstraint: true, PathLengthConstraint: 0 })),
            new("SubjectKeyId", ski is null ? Value.Null : B64(Convert.FromHexString(ski.SubjectKeyIdentifier!))),
            new("AuthorityKeyId", aki is null ? Value.Null : AuthorityKeyId(aki.RawData)),
            new("OCSPServer", Strings(ocsp)),
            new("IssuingCertificateURL", Strings(issuers)),
            new("DNSNames", Strings(dns)),
            new("EmailAddresses", Strings(emails)),
            new("IPAddresses", Strings(ips)),
            new("URIs", uris.Count == 0 ? Value.Null : Value.Array(uris.Select(Url))),
            new("URIStrings", Strings(uris)),
        };
        return Value.Object(fields);
    }

    private static int PublicKeyAlgorithm(string? oid) => oid switch
    {
        "1.2.840.113549.1.1.1" => 1,
        "1.2.840.10040.4.1" => 2,
        "1.2.840.10045.2.1" => 3,
        "1.3.101.112" => 4,
        _ => 0,
    };

    private static Value PublicKey(X509Certificate2 cert)
    {
        if (cert.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                var p = rsa.ExportParameters(false);
                return Value.Object(new KeyValuePair<string, Value>[]
                {
                    new("N", Value.Number(new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true))),
                    new("E", Value.Number(new BigInteger(p.Exponent, isUnsigned: true, isBigEndian: true))),
                });
            }
        }

        if (cert.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                var p = ec.ExportParameters(false);
                return Value.Object(new KeyValuePair<string, Value>[]
                {
                    new("X", Value.Number(new BigInteger(p.Q.X, isUnsigned: true, isBigEndian: true))),
                    new("Y", Value.Number(new BigInteger(p.Q.Y, isUnsigned: true, isBigEndian: true))),
                });
            }
        }

        return VerificationKeys.FromSubjectPublicKeyInfo("crypto.x509.parse_certificates", cert.PublicKey.ExportSubjectPublicKeyInfo()) is VerificationKeys.Okp okp
            ? B64(okp.PublicKey)
            : Value.Null;
    }

    private static int GoKeyUsage(X509KeyUsageFlags flags)
    {
        var go = 0;
        (X509KeyUsageFlags Flag, int Bit)[] map =
        [
            (X509KeyUsageFlags.DigitalSignature, 1), (X509KeyUsageFlags.NonRepudiation, 2), (X509KeyUsageFlags.KeyEncipherment, 4),
            (X509KeyUsageFlags.DataEncipherment, 8), (X509KeyUsageFlags.KeyAgreement, 16), (X509KeyUsageFlags.KeyCertSign, 32),
            (X509KeyUsageFlags.CrlSign, 64), (X509KeyUsageFlags.EncipherOnly, 128), (X509KeyUsageFlags.DecipherOnly, 256),
        ];
        foreach (var (flag, bit) in map)
        {
            if (flags.HasFlag(flag))
            {
                go |= bit;
            }
        }

        return go;
    }

    /// <summary>Go's pkix.Name: the well-known attributes as string lists, CommonName and SerialNumber as strings, and every attribute in Names.</summary>
    private static Value Name(byte[] der)
    {
        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var names = new List<Value>();
        string commonName = string.Empty, serial = string.Empty;
        var rdns = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (rdns.HasData)
        {
            var set = rdns.ReadSetOf();
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                var oid = attribute.ReadObjectIdentifier();
                var tag = attribute.PeekTag();
                string text;
                try
                {
                    text = attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
                }
                catch (Exception e) when (e is ArgumentException or AsnContentException)
                {
                    text = Convert.ToBase64String(attribute.ReadEncodedValue().Span);
                }

                names.Add(Value.Object(new KeyValuePair<string, Value>[] { new("Type", OidValue(oid)), new("Value", Value.String(text)) }));
                var field = oid switch
                {
                    "2.5.4.6" => "Country",
                    "2.5.4.10" => "Organization",
                    "2.5.4.11" => "OrganizationalUnit",
                    "2.5.4.7" => "Locality",
                    "2.5.4.8" => "Province",
                    "2.5.4.9" => "StreetAddress",
                    "2.5.4.17" => "PostalCode",
                    _ => null,
                };
                if (field is not null)
                {
                    (lists.TryGetValue(field, out var l) ? l : lists[field] = []).Add(text);
                }
                else if (oid == "2.5.4.3")
                {
                    commonName = text;
                }
                else if (oid == "2.5.4.5")
                {
                    serial = text;
                }
            }
        }

        Value List(string field) => lists.TryGetValue(field, out var l) ? Value.Array(l.Select(Value.String)) : Value.Null;
        return Value.Object(new KeyValuePair<string, Value>[]
        {
            new("Country", List("Country")), new("Organization", List("Organization")), new("OrganizationalUnit", List("OrganizationalUnit")),
            new("Locality", List("Locality")), new("Province", List("Province")), new("StreetAddress", List("StreetAddress")),
            new("PostalCode", List("PostalCode")), new("SerialNumber", Value.String(serial)), new("CommonName", Value.String(commonName)),
            new("Names", names.Count == 0 ? Value.Null : Value.Array(names)), new("ExtraNames", Value.Null),
        });
    }

    private static (List<string> Dns, List<string> Emails, List<string> Ips, List<string> Uris) GeneralNames(byte[] der)
    {
        List<string> dns = [], emails = [], ips = [], uris = [];
        var seq = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (seq.HasData)
        {
            var tag = seq.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                seq.ReadEncodedValue();
                continue;
            }

            switch (tag.TagValue)
            {
                case 1:
                    emails.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 2:
                    dns.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 6:
                    uris.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 7:
                    ips.Add(new IPAddress(seq.ReadOctetString(tag)).ToString());
                    break;
                default:
                    seq.ReadEncodedValue();
                    break;
            }
        }

        return (dns, emails, ips, uris);
    }

    private static (List<string> Ocsp, List<string> Issuers) AuthorityInfoAccess(X509Extension? extension)
    {
        List<string> ocsp = [], issuers = [];
        if (extension is null)
        {
            return (ocsp, issuers);
        }

        var seq = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (seq.HasData)
        {
            var access = seq.ReadSequence();
            var method = access.ReadObjectIdentifier();
            var tag = access.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
            {
                var uri = access.ReadCharacterString(UniversalTagNumber.IA5String, tag);
                (method == "1.3.6.1.5.5.7.48.1" ? ocsp : issuers).Add(uri);
            }
        }

        return (ocsp, issuers);
    }

    private static Value AuthorityKeyId(byte[] der)
    {
        var seq = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var keyIdTag = new Asn1Tag(TagClass.ContextSpecific, 0);
        return seq.HasData && seq.PeekTag().HasSameClassAndValue(keyIdTag) ? B64(seq.ReadOctetString(keyIdTag)) : Value.Null;
    }

    /// <summary>Go's url.URL fields for a URI from a certificate.</summary>
    private static Value Url(string text)
    {
        string scheme = string.Empty, opaque = string.Empty, host = string.Empty, path = string.Empty, query = string.Empty, fragment = string.Empty;
        var rest = text;
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            fragment = Uri.UnescapeDataString(rest[(hash + 1)..]);
            rest = rest[..hash];
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && char.IsAsciiLetter(rest[0]) && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            scheme = rest[..colon].ToLowerInvariant();
            rest = rest[(colon + 1)..];
        }

        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        if (scheme.Length > 0 && !rest.StartsWith('/'))
        {
            opaque = rest;
        }
        else if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            host = slash < 0 ? rest[2..] : rest[2..slash];
            path = slash < 0 ? string.Empty : Uri.UnescapeDataString(rest[slash..]);
        }
        else
        {
            path = Uri.UnescapeDataString(rest);
        }

        return Value.Object(new KeyValuePair<string, Value>[]
        {
            new("Scheme", Value.String(scheme)), new("Opaque", Value.String(opaque)), new("User", Value.Null), new("Host", Value.String(host)),
            new("Path", Value.String(path)), new("RawPath", Value.String(string.Empty)), new("OmitHost", Value.False), new("ForceQuery", Value.False),
            new("RawQuery", Value.String(query)), new("Fragment", Value.String(fragment)), new("RawFragment", Value.String(string.Empty)),
        });
    }

    private static Value CertificateRequest(string text)
    {
        const string name = "crypto.x509.parse_certificate_request";
        var blocks = text.StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? VerificationKeys.Pem(name, text).Where(b => b.Label is "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST").Select(b => b.Der).ToArray()
            : Blocks(name, text, "CERTIFICATE REQUEST");
        if (blocks.Length == 0)
        {
            throw Args.Error(name, "invalid PEM-encoded certificate signing request");
        }

        var der = blocks[0];
        System.Security.Cryptography.X509Certificates.CertificateRequest request;
        try
        {
            request = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException e)
        {
            throw Args.Error(name, $"x509: malformed certificate request: {e.Message}");
        }

        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var info = outer.PeekEncodedValue().ToArray();
        var infoReader = outer.ReadSequence();
        var sigAlg = new AsnReader(outer.ReadEncodedValue(), AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
        var signature = outer.ReadBitString(out _);
        var version = (int)infoReader.ReadInteger();
        var rawSubject = infoReader.ReadEncodedValue().ToArray();
        var spki = infoReader.ReadEncodedValue().ToArray();
        var san = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        var (dns, emails, ips, uris) = san is null ? ([], [], [], []) : GeneralNames(san.RawData);
        return Value.Object(new KeyValuePair<string, Value>[]
        {
            new("Raw", B64(der)), new("RawTBSCertificateRequest", B64(info)), new("RawSubjectPublicKeyInfo", B64(spki)), new("RawSubject", B64(rawSubject)),
            new("Version", Value.Number(version)), new("Signature", B64(signature)),
            new("SignatureAlgorithm", Value.Number(SignatureAlgorithms.FirstOrDefault(s => s.Oid == sigAlg).Number)),
            new("PublicKeyAlgorithm", Value.Number(PublicKeyAlgorithm(request.PublicKey.Oid.Value))),
            new("Subject", Name(rawSubject)),
            new("Extensions", request.CertificateExtensions.Count == 0 ? Value.Null : Value.Array(request.CertificateExtensions.Select(e => Value.Object(new KeyValuePair<string, Value>[]
            {
                new("Id", OidValue(e.Oid!.Value!)), new("Critical", Value.Bool(e.Critical)), new("Value", B64(e.RawData)),
            })))),
            new("DNSNames", Strings(dns)), new("EmailAddresses", Strings(emails)), new("IPAddresses", Strings(ips)),
            new("URIs", uris.Count == 0 ? Value.Null : Value.Array(uris.Select(Url))),
        });
    }

    /// <summary>An RSA private key (PKCS #1 or PKCS #8 PEM, or base64 of it) as a JWK.</summary>
    private static Value RsaPrivateKey(string text)
    {
        const string name = "crypto.x509.parse_rsa_private_key";
        var pem = text.StartsWith("-----BEGIN", StringComparison.Ordinal) ? text : Base64Text(name, text);
        var block = VerificationKeys.Pem(name, pem).FirstOrDefault(b => b.Label is "RSA PRIVATE KEY" or "PRIVATE KEY");
        if (block.Der is null)
        {
            throw Args.Error(name, "failed to parse PEM block containing the key");
        }

        using var rsa = RSA.Create();
        try
        {
            if (block.Label == "RSA PRIVATE KEY")
            {
                rsa.ImportRSAPrivateKey(block.Der, out _);
            }
            else
            {
                rsa.ImportPkcs8PrivateKey(block.Der, out _);
            }
        }
        catch (CryptographicException e)
        {
            throw Args.Error(name, $"failed to parse RSA private key: {e.Message}");
        }

        var p = rsa.ExportParameters(true);
        static Value U(byte[]? bytes) => Value.String(Convert.ToBase64String(bytes!).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        return Value.Object(new KeyValuePair<string, Value>[]
        {
            new("kty", Value.String("RSA")), new("n", U(p.Modulus)), new("e", U(p.Exponent)), new("d", U(p.D)),
            new("p", U(p.P)), new("q", U(p.Q)), new("dp", U(p.DP)), new("dq", U(p.DQ)), new("qi", U(p.InverseQ)),
        });
    }

    private static string Base64Text(string name, string text)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw Args.Error(name, "illegal base64 data");
        }
    }
}
