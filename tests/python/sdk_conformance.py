"""The official Huawei Cloud Python SDK (huaweicloudsdkmodelarts) against the simulator:
it signs every request itself (content-type and host signed), and reads our responses
and error bodies with its own models. Usage: sdk_conformance.py URL AK SK PROJECT_ID"""
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmodelarts.v1 import (
    CreateDevServerRequest, CreateNotebookRequest, DeleteDevServerRequest,
    DeleteNotebookRequest, EvsVolume, ListDevServersRequest, ListFlavorsRequest,
    ListImageRequest, ListNotebooksRequest, ModelArtsClient, NotebookCreateRequest,
    NotebookUpdateRequest, ServerCreateRequest, ServerNetwork, ShowDevServerRequest,
    ShowLeaseRequest, ShowNotebookRequest, StartNotebookRequest, StopNotebookRequest,
    UpdateNotebookRequest, VolumeMountRequest,
)

url, ak, sk, project = sys.argv[1:5]
client = (ModelArtsClient.new_builder()
          .with_credentials(BasicCredentials(ak, sk, project))
          .with_endpoints([url]).build())
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def wait(show, want):
    for _ in range(400):
        r = show()
        if r.status == want:
            return r
        time.sleep(0.005)
    raise AssertionError(f"never reached {want}")


nb = client.create_notebook(CreateNotebookRequest(body=NotebookCreateRequest(
    name="sdk-nb", flavor="modelarts.vm.cpu.2u", image_id="e1a07296-22a8-4f05-8bc8-e936c8e54090",
    volume=VolumeMountRequest(category="evs", ownership="managed", capacity=10))))
check("create", nb.status == "CREATING" and nb.volume.category == "EVS", nb)
show = lambda: client.show_notebook(ShowNotebookRequest(id=nb.id))
r = wait(show, "RUNNING")
check("show", r.name == "sdk-nb" and r.image.id == "e1a07296-22a8-4f05-8bc8-e936c8e54090", r)
lst = client.list_notebooks(ListNotebooksRequest(limit=10, status="RUNNING"))
check("list", lst.total == 1 and lst.data[0].id == nb.id, lst)
check("lease", client.show_lease(ShowLeaseRequest(id=nb.id)).duration == 3600000)
client.stop_notebook(StopNotebookRequest(id=nb.id))
wait(show, "STOPPED")
up = client.update_notebook(UpdateNotebookRequest(id=nb.id, body=NotebookUpdateRequest(flavor="modelarts.vm.cpu.8u", name="sdk-nb-2")))
check("update", up.flavor == "modelarts.vm.cpu.8u" and up.name == "sdk-nb-2", up)
client.start_notebook(StartNotebookRequest(id=nb.id, duration=3600000, type="TIMING"))
wait(show, "RUNNING")
check("flavors", len(client.list_flavors(ListFlavorsRequest(category="CPU")).data) > 0)
check("images", any(i.id == "e1a07296-22a8-4f05-8bc8-e936c8e54090" for i in client.list_image(ListImageRequest(limit=50)).data))
client.delete_notebook(DeleteNotebookRequest(id=nb.id))
for _ in range(400):
    try:
        show()
        time.sleep(0.005)
    except ClientRequestException as e:
        check("not found", e.status_code == 400 and e.error_code == "ModelArts.6309" and e.request_id, e)
        break
else:
    check("deleted", False, "never went away")
try:
    client.create_notebook(CreateNotebookRequest(body=NotebookCreateRequest(name="bad name!", flavor="modelarts.vm.cpu.2u",
        image_id="e1a07296-22a8-4f05-8bc8-e936c8e54090", volume=VolumeMountRequest(category="EVS", ownership="MANAGED"))))
    check("validation", False, "accepted a bad name")
except ClientRequestException as e:
    check("validation", e.error_code == "ModelArts.6334", e)

ds = client.create_dev_server(CreateDevServerRequest(body=ServerCreateRequest(
    name="EI-evs-1107", flavor="Si2.large.4", image_id="c90fb553-2cdb-4b81-b56a-ef68812c6cf7",
    network=ServerNetwork(security_group_id="s", subnet_id="n", vpc_id="v"), admin_pass="@DevServer",
    root_volume=EvsVolume(size=100, type="SSD"))))
wait(lambda: client.show_dev_server(ShowDevServerRequest(id=ds.id)), "RUNNING")
check("devserver list", client.list_dev_servers(ListDevServersRequest(limit=100)).total == 1)
client.delete_dev_server(DeleteDevServerRequest(id=ds.id))
print(f"python sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
