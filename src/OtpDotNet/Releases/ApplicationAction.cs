namespace Otp.Net.Releases;

/// <summary>What an <see cref="ApplicationStep"/> does to an application.</summary>
public enum ApplicationAction
{
    /// <summary><c>application:load</c> with the new release's descriptor.</summary>
    Load,

    /// <summary><c>application:start</c>.</summary>
    Start,

    /// <summary><c>application:stop</c>.</summary>
    Stop,

    /// <summary><c>application:unload</c>.</summary>
    Unload,
}
