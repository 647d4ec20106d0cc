#!/bin/sh
# Au démarrage du conteneur nginx (docker-entrypoint.d) : la configuration livrée, dont
# l'amont pointe vers les deux conteneurs de compose.yaml au lieu de 127.0.0.1:8501/8502,
# sans IPv6 (souvent absent d'un conteneur), journaux vers la sortie du conteneur.
# NON ÉPROUVÉ ICI (pas de moteur Docker).
set -eu
sed -e 's/127\.0\.0\.1:8501/application-1:8501/' \
    -e 's/127\.0\.0\.1:8502/application-2:8501/' \
    -e '/listen \[::\]/d' \
    -e 's#/var/log/nginx/evaluation.access.log#/dev/stdout#' \
    -e 's#/var/log/nginx/evaluation.error.log#/dev/stderr#' \
    /modeles/evaluation.conf > /etc/nginx/conf.d/default.conf
