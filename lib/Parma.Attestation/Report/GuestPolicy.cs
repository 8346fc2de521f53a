namespace Parma.Attestation.Report;

/// <summary>The guest POLICY field fixed at launch (ABI specification, "Guest Policy Structure").</summary>
public readonly record struct GuestPolicy(ulong Raw)
{
    public byte AbiMinor => (byte)Raw;
    public byte AbiMajor => (byte)(Raw >> 8);
    public bool SmtAllowed => Bit(16);
    /// <summary>Bit 17 is reserved and must be one.</summary>
    public bool ReservedBit17 => Bit(17);
    public bool MigrationAgentAllowed => Bit(MigrationAgentBit);
    public bool DebugAllowed => Bit(19);
    public bool SingleSocketOnly => Bit(20);
    public bool CxlAllowed => Bit(21);
    public bool MemAes256XtsRequired => Bit(22);
    public bool RaplDisabled => Bit(23);
    public bool CiphertextHidingRequired => Bit(24);
    public bool PageSwapDisabled => Bit(25);

    public const int MigrationAgentBit = 18;

    public const int DebugBit = 19;

    private bool Bit(int index) => (Raw & (1UL << index)) != 0;

    public override string ToString() => $"0x{Raw:x}";
}
