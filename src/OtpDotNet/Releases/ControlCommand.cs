namespace Otp.Net.Releases;

/// <summary>What a <see cref="ControlRequest"/> asks the node's release handler to do.</summary>
public enum ControlCommand
{
    /// <summary><see cref="ReleaseHandler.WhichReleases"/>.</summary>
    Which,

    /// <summary><see cref="ReleaseHandler.UnpackAsync"/> of <see cref="ControlRequest.Package"/> (a path on the node's machine).</summary>
    Unpack,

    /// <summary><see cref="ReleaseHandler.CheckInstallAsync"/> of <see cref="ControlRequest.Version"/>.</summary>
    Rehearse,

    /// <summary><see cref="ReleaseHandler.InstallAsync"/> of <see cref="ControlRequest.Version"/>, which must be an upgrade.</summary>
    Install,

    /// <summary><see cref="ReleaseHandler.InstallAsync"/> of <see cref="ControlRequest.Version"/>, which must be a downgrade.</summary>
    Downgrade,

    /// <summary><see cref="ReleaseHandler.MakePermanentAsync"/> of <see cref="ControlRequest.Version"/>.</summary>
    Permanent,

    /// <summary><see cref="ReleaseHandler.RemoveAsync"/> of <see cref="ControlRequest.Version"/>.</summary>
    Remove,
}
