# UMBRA (rpm %post): service user, data folder, config readable by the service; $1 is 1 on
# install and 2 on upgrade.
getent group umbra >/dev/null || groupadd --system umbra
getent passwd umbra >/dev/null || useradd --system --gid umbra --home-dir /var/lib/umbra \
    --no-create-home --shell /sbin/nologin --comment "UMBRA appliance" umbra
mkdir -p /var/lib/umbra
chown umbra:umbra /var/lib/umbra
chmod 0750 /var/lib/umbra
chown root:umbra /etc/umbra /etc/umbra/umbra.toml
chmod 0750 /etc/umbra
chmod 0640 /etc/umbra/umbra.toml
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -eq 1 ]; then
        systemctl enable --now umbra.service >/dev/null 2>&1 || :
    else
        systemctl try-restart umbra.service >/dev/null 2>&1 || :
    fi
fi
