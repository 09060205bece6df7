schemaVersion: "2.2"
description: Install nginx and listen on port ${port}
mainSteps:
  - action: aws:runShellScript
    name: install
    inputs:
      runCommand:
        %{~ for pkg in packages }
        - apt-get install -y ${pkg}
        %{~ endfor }
        - sed -i 's/listen 80/listen ${port}/' /etc/nginx/sites-enabled/default
        - systemctl restart nginx
