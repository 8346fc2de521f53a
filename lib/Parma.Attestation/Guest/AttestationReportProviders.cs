namespace Parma.Attestation.Guest;

/// <summary>Chooses the guest's report interface: configfs-tsm when present, else /dev/sev-guest (DESIGN.md).</summary>
public static class AttestationReportProviders
{
    public static IAttestationReportProvider Detect(ConfigFsTsmOptions? configFs = null, string sevGuestDevice = "/dev/sev-guest")
    {
        var tsm = new ConfigFsTsmReportProvider(configFs);
        if (tsm.IsAvailable)
        {
            return tsm;
        }

        var device = new SevGuestDeviceProvider(sevGuestDevice);
        return device.IsAvailable
            ? device
            : throw new AttestationUnavailableException(
                $"no SEV-SNP report interface: neither {(configFs ?? new ConfigFsTsmOptions()).Root} nor {sevGuestDevice} exists");
    }
}
