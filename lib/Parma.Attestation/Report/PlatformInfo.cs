namespace Parma.Attestation.Report;

/// <summary>The PLATFORM_INFO field: platform state when the report was generated.</summary>
public readonly record struct PlatformInfo(ulong Raw)
{
    public bool SmtEnabled => Bit(0);
    public bool TsmeEnabled => Bit(1);
    public bool EccEnabled => Bit(2);
    public bool RaplDisabled => Bit(3);
    public bool CiphertextHidingEnabled => Bit(4);
    public bool AliasCheckComplete => Bit(5);
    public bool TioEnabled => Bit(7);

    private bool Bit(int index) => (Raw & (1UL << index)) != 0;

    public override string ToString() => $"0x{Raw:x}";
}
