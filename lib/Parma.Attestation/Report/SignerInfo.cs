namespace Parma.Attestation.Report;

/// <summary>Which key signed the report (SIGNING_KEY, bits 4:2 of the signer info word).</summary>
public enum SigningKey
{
    Vcek = 0,
    Vlek = 1,
    None = 7,
}

/// <summary>The word at 0x48: AUTHOR_KEY_EN (bit 0), MASK_CHIP_KEY (bit 1), SIGNING_KEY (bits 4:2). Zero in version 2 reports.</summary>
public readonly record struct SignerInfo(uint Raw)
{
    public bool AuthorKeyEnabled => (Raw & 1) != 0;
    public bool MaskChipKey => (Raw & 2) != 0;
    public SigningKey SigningKey => (SigningKey)((Raw >> 2) & 7);

    public override string ToString() => $"0x{Raw:x}";
}
