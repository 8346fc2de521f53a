namespace Parma.Vm.Tests;

/// <summary>A test that boots the test VM: skipped, saying why, only where qemu cannot run.</summary>
public sealed class VmFactAttribute : FactAttribute
{
    public VmFactAttribute()
    {
        if (TestVm.Unavailable() is { } reason)
        {
            Skip = reason;
        }
    }
}
