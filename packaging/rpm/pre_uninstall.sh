# UMBRA (rpm %preun): on erase ($1 = 0), stop and disable; upgrades keep it running.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl disable --now umbra.service >/dev/null 2>&1 || :
fi
