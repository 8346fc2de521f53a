namespace Parma.Attestation.Report;

/// <summary>A firmware version as build, minor and major bytes (CURRENT_* and COMMITTED_* fields).</summary>
public readonly record struct FirmwareVersion(byte Major, byte Minor, byte Build)
{
    public override string ToString() => $"{Major}.{Minor}.{Build}";
}
